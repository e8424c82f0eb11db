-- Products that are never discounted (gift cards, vouchers: issue 6 §2): no promotion, promo
-- code or customer discount applies to them. Keep in step with ../postgres/.

ALTER TABLE products ADD COLUMN discountable BOOLEAN NOT NULL DEFAULT TRUE;
