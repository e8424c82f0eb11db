-- The attendance export (issue 18) walks a period's orders by (created_at, id): with the id
-- in the index, each page starts where the last one ended, even among orders of the same
-- microsecond. Keep in step with ../sqlite/.
CREATE INDEX orders_created_id ON orders (organization_id, created_at, id);
