-- There is no EC2 here: each account's instances (with the address the
-- data plane connects to) and subnets are an inventory kept by eulbd.

CREATE TABLE inventory_instances (
  account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  instance_id TEXT NOT NULL,
  address     TEXT NOT NULL,
  zone        TEXT,
  PRIMARY KEY (account_id, instance_id)
);

CREATE TABLE inventory_subnets (
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  subnet_id  TEXT NOT NULL,
  zone       TEXT NOT NULL,
  vpc_id     TEXT NOT NULL,
  PRIMARY KEY (account_id, subnet_id)
);
