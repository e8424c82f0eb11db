-- The e-mail a visitor typed, kept beside their details while their cart is at the payment
-- provider, so that erasing a customer finds and removes such a cart too (issue 16).
-- Lower case; NULL once the cart is booked or back from the provider. Keep in step with
-- ../sqlite/.
ALTER TABLE online_carts ADD COLUMN visitor_email TEXT;
CREATE INDEX online_carts_visitor_email ON online_carts (organization_id, visitor_email);
