-- A report pages through the units below a node in code order: a department may hold
-- tens of thousands of offices, and without the code in the index every page would
-- sort all of them.
CREATE INDEX units_parent_code ON units (parent_id, code);
DROP INDEX units_parent;
