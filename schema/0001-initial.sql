-- eulb initial schema. Append-only: later changes go in new files.
-- Portable SQL (SQLite today, PostgreSQL later): no SQLite-only syntax.

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE accounts (
  id         TEXT PRIMARY KEY,          -- 12 decimal digits
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

CREATE TABLE access_keys (
  akid       TEXT PRIMARY KEY,          -- AKI + 17 upper-case letters/digits
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  secret     TEXT NOT NULL,
  active     INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
);
CREATE INDEX access_keys_account ON access_keys(account_id);

CREATE TABLE load_balancers (
  id           INTEGER PRIMARY KEY,
  account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,           -- as the user spelled it
  name_key     TEXT NOT NULL,           -- lower(name): names are unique ignoring case
  scheme       TEXT NOT NULL,
  created_at   TEXT NOT NULL,           -- ISO-8601 UTC with milliseconds
  vpc_id       TEXT,
  hc_target    TEXT,
  hc_interval  INTEGER,
  hc_timeout   INTEGER,
  hc_unhealthy INTEGER,
  hc_healthy   INTEGER,
  UNIQUE (account_id, name_key)
);

CREATE TABLE lb_zones (
  lb_id    INTEGER NOT NULL REFERENCES load_balancers(id) ON DELETE CASCADE,
  zone     TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (lb_id, zone)
);

CREATE TABLE lb_subnets (
  lb_id    INTEGER NOT NULL REFERENCES load_balancers(id) ON DELETE CASCADE,
  subnet   TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (lb_id, subnet)
);

CREATE TABLE lb_security_groups (
  lb_id    INTEGER NOT NULL REFERENCES load_balancers(id) ON DELETE CASCADE,
  group_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (lb_id, group_id)
);

CREATE TABLE listeners (
  lb_id              INTEGER NOT NULL REFERENCES load_balancers(id) ON DELETE CASCADE,
  lb_port            INTEGER NOT NULL,
  protocol           TEXT NOT NULL,
  instance_port      INTEGER NOT NULL,
  instance_protocol  TEXT NOT NULL,
  ssl_certificate_id TEXT,
  PRIMARY KEY (lb_id, lb_port)
);

CREATE TABLE policies (
  id                     INTEGER PRIMARY KEY,
  lb_id                  INTEGER NOT NULL REFERENCES load_balancers(id) ON DELETE CASCADE,
  name                   TEXT NOT NULL,
  type                   TEXT NOT NULL,
  public_key_fingerprint TEXT,          -- SPKI SHA-256 of a PublicKey value
  UNIQUE (lb_id, name)
);

CREATE TABLE policy_attributes (
  policy_id INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  name      TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (policy_id, position)
);

CREATE TABLE listener_policies (
  lb_id     INTEGER NOT NULL,
  lb_port   INTEGER NOT NULL,
  position  INTEGER NOT NULL,
  policy_id INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  PRIMARY KEY (lb_id, lb_port, position),
  FOREIGN KEY (lb_id, lb_port) REFERENCES listeners(lb_id, lb_port) ON DELETE CASCADE
);

CREATE TABLE backend_policies (
  lb_id         INTEGER NOT NULL REFERENCES load_balancers(id) ON DELETE CASCADE,
  instance_port INTEGER NOT NULL,
  position      INTEGER NOT NULL,
  policy_id     INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  PRIMARY KEY (lb_id, instance_port, position)
);

CREATE TABLE instances (
  lb_id       INTEGER NOT NULL REFERENCES load_balancers(id) ON DELETE CASCADE,
  instance_id TEXT NOT NULL,
  state       TEXT NOT NULL,
  reason_code TEXT,
  description TEXT,
  position    INTEGER NOT NULL,
  PRIMARY KEY (lb_id, instance_id)
);

CREATE TABLE tags (
  lb_id    INTEGER NOT NULL REFERENCES load_balancers(id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (lb_id, key)
);

CREATE TABLE lb_attributes (
  lb_id INTEGER NOT NULL REFERENCES load_balancers(id) ON DELETE CASCADE,
  name  TEXT NOT NULL,                  -- dotted path, e.g. ConnectionDraining.Timeout
  value TEXT NOT NULL,
  PRIMARY KEY (lb_id, name)
);
