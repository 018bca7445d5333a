-- Accounts that may act as another account (euca2ools' --as-account,
-- the DelegateAccount parameter): the cloud administrator's. The admin
-- account made at first start is one.

ALTER TABLE accounts ADD COLUMN may_delegate INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET may_delegate = 1 WHERE name = 'admin';
