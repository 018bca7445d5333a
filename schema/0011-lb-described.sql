-- A load balancer's DescribeLoadBalancers <member>, rendered by eulbd's
-- writer thread once a describe has read it from its rows (lb_stored.c),
-- so that later describes copy one column instead of reading eight
-- statements' rows and writing the XML again. NULL means "render it from
-- the rows": the triggers below clear it whenever a row it is rendered
-- from changes, in this process or any other, in the same transaction.
-- '' marks one too large to store: read from its rows, and not cleared
-- (nor rendered again) by writes to it. `described_bound` is the
-- emitter's resp_size_bound of it, what pages are measured in.

ALTER TABLE load_balancers ADD COLUMN described TEXT;
ALTER TABLE load_balancers ADD COLUMN described_bound INTEGER;

-- Every column a description shows (not lists, a cache of its own).
-- An update clears the load balancer a row leaves as well as the one it
-- joins (eulbd moves none; another process might).
CREATE TRIGGER described_load_balancers_update
AFTER UPDATE OF account_id, name, name_key, scheme, created_at, vpc_id,
  hc_target, hc_interval, hc_timeout, hc_unhealthy, hc_healthy, region
ON load_balancers
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = NEW.id AND described != '';
END;

CREATE TRIGGER described_lb_zones_insert AFTER INSERT ON lb_zones
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = NEW.lb_id AND described != '';
END;

CREATE TRIGGER described_lb_zones_delete AFTER DELETE ON lb_zones
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = OLD.lb_id AND described != '';
END;

CREATE TRIGGER described_lb_zones_update AFTER UPDATE ON lb_zones
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id IN (OLD.lb_id, NEW.lb_id) AND described != '';
END;

CREATE TRIGGER described_lb_subnets_insert AFTER INSERT ON lb_subnets
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = NEW.lb_id AND described != '';
END;

CREATE TRIGGER described_lb_subnets_delete AFTER DELETE ON lb_subnets
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = OLD.lb_id AND described != '';
END;

CREATE TRIGGER described_lb_subnets_update AFTER UPDATE ON lb_subnets
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id IN (OLD.lb_id, NEW.lb_id) AND described != '';
END;

CREATE TRIGGER described_lb_security_groups_insert AFTER INSERT ON lb_security_groups
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = NEW.lb_id AND described != '';
END;

CREATE TRIGGER described_lb_security_groups_delete AFTER DELETE ON lb_security_groups
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = OLD.lb_id AND described != '';
END;

CREATE TRIGGER described_lb_security_groups_update AFTER UPDATE ON lb_security_groups
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id IN (OLD.lb_id, NEW.lb_id) AND described != '';
END;

CREATE TRIGGER described_listeners_insert AFTER INSERT ON listeners
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = NEW.lb_id AND described != '';
END;

CREATE TRIGGER described_listeners_delete AFTER DELETE ON listeners
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = OLD.lb_id AND described != '';
END;

CREATE TRIGGER described_listeners_update AFTER UPDATE ON listeners
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id IN (OLD.lb_id, NEW.lb_id) AND described != '';
END;

CREATE TRIGGER described_policies_insert AFTER INSERT ON policies
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = NEW.lb_id AND described != '';
END;

CREATE TRIGGER described_policies_delete AFTER DELETE ON policies
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = OLD.lb_id AND described != '';
END;

CREATE TRIGGER described_policies_update AFTER UPDATE ON policies
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id IN (OLD.lb_id, NEW.lb_id) AND described != '';
END;

CREATE TRIGGER described_listener_policies_insert AFTER INSERT ON listener_policies
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = NEW.lb_id AND described != '';
END;

CREATE TRIGGER described_listener_policies_delete AFTER DELETE ON listener_policies
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = OLD.lb_id AND described != '';
END;

CREATE TRIGGER described_listener_policies_update AFTER UPDATE ON listener_policies
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id IN (OLD.lb_id, NEW.lb_id) AND described != '';
END;

CREATE TRIGGER described_backend_policies_insert AFTER INSERT ON backend_policies
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = NEW.lb_id AND described != '';
END;

CREATE TRIGGER described_backend_policies_delete AFTER DELETE ON backend_policies
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = OLD.lb_id AND described != '';
END;

CREATE TRIGGER described_backend_policies_update AFTER UPDATE ON backend_policies
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id IN (OLD.lb_id, NEW.lb_id) AND described != '';
END;

CREATE TRIGGER described_instances_insert AFTER INSERT ON instances
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = NEW.lb_id AND described != '';
END;

CREATE TRIGGER described_instances_delete AFTER DELETE ON instances
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = OLD.lb_id AND described != '';
END;

-- An instance's state (servo's reports) is not part of a description.
CREATE TRIGGER described_instances_update AFTER UPDATE OF lb_id, instance_id, position ON instances
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id IN (OLD.lb_id, NEW.lb_id) AND described != '';
END;

CREATE TRIGGER described_policy_attributes_insert AFTER INSERT ON policy_attributes
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = (SELECT lb_id FROM policies WHERE id = NEW.policy_id)
      AND described != '';
END;

CREATE TRIGGER described_policy_attributes_delete AFTER DELETE ON policy_attributes
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id = (SELECT lb_id FROM policies WHERE id = OLD.policy_id)
      AND described != '';
END;

CREATE TRIGGER described_policy_attributes_update AFTER UPDATE ON policy_attributes
BEGIN
  UPDATE load_balancers SET described = NULL
    WHERE id IN (SELECT lb_id FROM policies
                 WHERE id IN (OLD.policy_id, NEW.policy_id))
      AND described != '';
END;
