-- The load-balancer quota is checked on every CreateLoadBalancer; counting
-- an account's rows costs as many rows as it has. A count kept per account
-- and region by triggers makes the check one lookup.

CREATE TABLE lb_counts (
  account_id TEXT NOT NULL,
  region     TEXT NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (account_id, region)
);

INSERT INTO lb_counts (account_id, region, n)
  SELECT account_id, region, count(*) FROM load_balancers
  GROUP BY account_id, region;

CREATE TRIGGER lb_counts_insert AFTER INSERT ON load_balancers
BEGIN
  INSERT INTO lb_counts (account_id, region, n)
    VALUES (NEW.account_id, NEW.region, 1)
    ON CONFLICT (account_id, region) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER lb_counts_delete AFTER DELETE ON load_balancers
BEGIN
  UPDATE lb_counts SET n = n - 1
    WHERE account_id = OLD.account_id AND region = OLD.region;
  DELETE FROM lb_counts
    WHERE account_id = OLD.account_id AND region = OLD.region AND n <= 0;
END;
