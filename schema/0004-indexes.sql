-- Indexes found missing by the benchmark's query plans: policy usage
-- checks (DeleteLoadBalancerPolicy) scanned the binding tables, and the
-- ordered per-load-balancer lists sorted in a temporary B-tree.

CREATE INDEX listener_policies_policy ON listener_policies(policy_id);
CREATE INDEX backend_policies_policy ON backend_policies(policy_id);
CREATE INDEX lb_zones_order ON lb_zones(lb_id, position);
CREATE INDEX lb_subnets_order ON lb_subnets(lb_id, position);
CREATE INDEX lb_security_groups_order ON lb_security_groups(lb_id, position);
CREATE INDEX instances_order ON instances(lb_id, position);
CREATE INDEX tags_order ON tags(lb_id, position);
