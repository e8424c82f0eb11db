-- Reservations and special orders (seed 004): a shop product reserved for a customer is set
-- aside when in stock (a set-aside movement takes it out of the stock others can buy) or waits
-- for the supplier order that brings it; the order list is computed from the waiting
-- reservations and the products under their minimum stock; supplier orders are sent, then
-- received (a restock), which sets the waiting reservations aside and names the customers to tell.
-- The message customers get is an editable template per organization. Keep in step with
-- ../postgres/.

CREATE TABLE supplier_orders (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    number TEXT NOT NULL,
    supplier TEXT NOT NULL,
    supplier_email TEXT,
    note TEXT,
    created_at BIGINT NOT NULL,
    created_by BLOB REFERENCES users (id),
    sent_at BIGINT,
    received_at BIGINT
);
CREATE INDEX supplier_orders_organization ON supplier_orders (organization_id, created_at);

CREATE TABLE supplier_order_lines (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    supplier_order_id BLOB NOT NULL REFERENCES supplier_orders (id),
    product_id BLOB NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL,
    received_quantity BIGINT
);
CREATE INDEX supplier_order_lines_order ON supplier_order_lines (supplier_order_id);
CREATE INDEX supplier_order_lines_product ON supplier_order_lines (organization_id, product_id);

CREATE TABLE reservations (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    customer_id BLOB NOT NULL REFERENCES customers (id),
    product_id BLOB NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL,
    -- waiting (to order or on order), set_aside (held in the shop), sold, archived
    state TEXT NOT NULL,
    note TEXT,
    created_at BIGINT NOT NULL,
    created_by BLOB REFERENCES users (id),
    -- the supplier order that brings it, while waiting
    supplier_order_id BLOB REFERENCES supplier_orders (id),
    set_aside_at BIGINT,
    -- set aside on receiving a supplier order: the customer is to be told
    arrived_at BIGINT,
    notified_at BIGINT,
    closed_at BIGINT,
    order_id BLOB REFERENCES orders (id)
);
CREATE INDEX reservations_customer ON reservations (organization_id, customer_id, state);
CREATE INDEX reservations_product ON reservations (organization_id, product_id, state);

CREATE TABLE message_templates (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    -- reservation_ready
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, kind)
);
