-- The policy quota is checked on every policy create; counting a load
-- balancer's policies walks as many index entries as it has (up to
-- --max-policies, 10,000), which made CreateLoadBalancerPolicy slow down
-- as a load balancer filled. A count kept by triggers, as lb_counts does
-- for load balancers (0007), makes the check one lookup. Deleting a load
-- balancer deletes its policies, whose trigger removes its count.

CREATE TABLE policy_counts (
  lb_id INTEGER PRIMARY KEY,
  n     INTEGER NOT NULL
);

INSERT INTO policy_counts (lb_id, n)
  SELECT lb_id, count(*) FROM policies GROUP BY lb_id;

CREATE TRIGGER policy_counts_insert AFTER INSERT ON policies
BEGIN
  INSERT INTO policy_counts (lb_id, n) VALUES (NEW.lb_id, 1)
    ON CONFLICT (lb_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER policy_counts_delete AFTER DELETE ON policies
BEGIN
  UPDATE policy_counts SET n = n - 1 WHERE lb_id = OLD.lb_id;
  DELETE FROM policy_counts WHERE lb_id = OLD.lb_id AND n <= 0;
END;
