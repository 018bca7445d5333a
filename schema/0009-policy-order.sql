-- DescribeLoadBalancers lists a load balancer's policies by bucket (app
-- cookie, LB cookie, others), each in creation order (STMT_PAGE_POLICIES).
-- Without an index in that order every describe sorted them in a temporary
-- B-tree, the costliest of its statements. The expression must stay the
-- statement's own, word for word, for the index to serve its ORDER BY.

CREATE INDEX policies_bucket ON policies(lb_id,
  (CASE type WHEN 'AppCookieStickinessPolicyType' THEN 0
             WHEN 'LBCookieStickinessPolicyType' THEN 1 ELSE 2 END), id);
