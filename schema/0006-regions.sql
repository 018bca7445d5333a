-- One eulbd may serve several regions (--region a --region b), and load
-- balancers belong to the region their requests were signed for. '' is
-- the home region (the first --region), which every load balancer made
-- before this migration belongs to.
--
-- Names are unique per account and region. The table's UNIQUE (account_id,
-- name_key) cannot be changed without rebuilding the table, and a rebuild
-- would cascade deletes through every table that references it; instead a
-- load balancer of another region keeps its region in front of its
-- name_key ("<region>/<lower-case name>"; '/' never occurs in a name), so
-- the existing constraint is per region.

ALTER TABLE load_balancers ADD COLUMN region TEXT NOT NULL DEFAULT '';
CREATE INDEX load_balancers_region ON load_balancers(account_id, region,
                                                     name_key);
