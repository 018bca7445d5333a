-- DescribeLoadBalancers reads seven lists per load balancer, one
-- statement each (STMT_ONE_*, STMT_PAGE_*), and most load balancers have
-- several of them empty: a statement that finds nothing still costs a
-- step through SQLite. `lists` has a bit for each list that has rows (the
-- bit is 1 << enum lb_part, server/store.h), kept by triggers, so that a
-- describe skips the statements of lists it knows are empty.
--
--   1 zones   2 subnets   4 security groups   8 listeners   16 policies
--   32 backend-port policies   64 instances

ALTER TABLE load_balancers ADD COLUMN lists INTEGER NOT NULL DEFAULT 0;

UPDATE load_balancers SET lists =
  (EXISTS (SELECT 1 FROM lb_zones WHERE lb_id = load_balancers.id) * 1)
  | (EXISTS (SELECT 1 FROM lb_subnets WHERE lb_id = load_balancers.id) * 2)
  | (EXISTS (SELECT 1 FROM lb_security_groups WHERE lb_id = load_balancers.id) * 4)
  | (EXISTS (SELECT 1 FROM listeners WHERE lb_id = load_balancers.id) * 8)
  | (EXISTS (SELECT 1 FROM policies WHERE lb_id = load_balancers.id) * 16)
  | (EXISTS (SELECT 1 FROM backend_policies WHERE lb_id = load_balancers.id) * 32)
  | (EXISTS (SELECT 1 FROM instances WHERE lb_id = load_balancers.id) * 64);

CREATE TRIGGER lists_lb_zones_insert AFTER INSERT ON lb_zones
BEGIN
  UPDATE load_balancers SET lists = lists | 1
    WHERE id = NEW.lb_id AND lists & 1 = 0;
END;

CREATE TRIGGER lists_lb_zones_delete AFTER DELETE ON lb_zones
BEGIN
  UPDATE load_balancers SET lists = lists & ~1
    WHERE id = OLD.lb_id AND lists & 1 != 0
      AND NOT EXISTS (SELECT 1 FROM lb_zones WHERE lb_id = OLD.lb_id);
END;

CREATE TRIGGER lists_lb_subnets_insert AFTER INSERT ON lb_subnets
BEGIN
  UPDATE load_balancers SET lists = lists | 2
    WHERE id = NEW.lb_id AND lists & 2 = 0;
END;

CREATE TRIGGER lists_lb_subnets_delete AFTER DELETE ON lb_subnets
BEGIN
  UPDATE load_balancers SET lists = lists & ~2
    WHERE id = OLD.lb_id AND lists & 2 != 0
      AND NOT EXISTS (SELECT 1 FROM lb_subnets WHERE lb_id = OLD.lb_id);
END;

CREATE TRIGGER lists_lb_security_groups_insert AFTER INSERT ON lb_security_groups
BEGIN
  UPDATE load_balancers SET lists = lists | 4
    WHERE id = NEW.lb_id AND lists & 4 = 0;
END;

CREATE TRIGGER lists_lb_security_groups_delete AFTER DELETE ON lb_security_groups
BEGIN
  UPDATE load_balancers SET lists = lists & ~4
    WHERE id = OLD.lb_id AND lists & 4 != 0
      AND NOT EXISTS (SELECT 1 FROM lb_security_groups WHERE lb_id = OLD.lb_id);
END;

CREATE TRIGGER lists_listeners_insert AFTER INSERT ON listeners
BEGIN
  UPDATE load_balancers SET lists = lists | 8
    WHERE id = NEW.lb_id AND lists & 8 = 0;
END;

CREATE TRIGGER lists_listeners_delete AFTER DELETE ON listeners
BEGIN
  UPDATE load_balancers SET lists = lists & ~8
    WHERE id = OLD.lb_id AND lists & 8 != 0
      AND NOT EXISTS (SELECT 1 FROM listeners WHERE lb_id = OLD.lb_id);
END;

CREATE TRIGGER lists_policies_insert AFTER INSERT ON policies
BEGIN
  UPDATE load_balancers SET lists = lists | 16
    WHERE id = NEW.lb_id AND lists & 16 = 0;
END;

CREATE TRIGGER lists_policies_delete AFTER DELETE ON policies
BEGIN
  UPDATE load_balancers SET lists = lists & ~16
    WHERE id = OLD.lb_id AND lists & 16 != 0
      AND NOT EXISTS (SELECT 1 FROM policies WHERE lb_id = OLD.lb_id);
END;

CREATE TRIGGER lists_backend_policies_insert AFTER INSERT ON backend_policies
BEGIN
  UPDATE load_balancers SET lists = lists | 32
    WHERE id = NEW.lb_id AND lists & 32 = 0;
END;

CREATE TRIGGER lists_backend_policies_delete AFTER DELETE ON backend_policies
BEGIN
  UPDATE load_balancers SET lists = lists & ~32
    WHERE id = OLD.lb_id AND lists & 32 != 0
      AND NOT EXISTS (SELECT 1 FROM backend_policies WHERE lb_id = OLD.lb_id);
END;

CREATE TRIGGER lists_instances_insert AFTER INSERT ON instances
BEGIN
  UPDATE load_balancers SET lists = lists | 64
    WHERE id = NEW.lb_id AND lists & 64 = 0;
END;

CREATE TRIGGER lists_instances_delete AFTER DELETE ON instances
BEGIN
  UPDATE load_balancers SET lists = lists & ~64
    WHERE id = OLD.lb_id AND lists & 64 != 0
      AND NOT EXISTS (SELECT 1 FROM instances WHERE lb_id = OLD.lb_id);
END;
