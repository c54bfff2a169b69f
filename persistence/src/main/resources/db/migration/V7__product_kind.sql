-- V7: what kind of answer a product gives, as data.
--
-- The gateway used to guess: a product with '/images/' in an endpoint was an image product, and any
-- top-level "data" array in an answer was billed as images (so embeddings would have been billed as
-- images). Now each product says what it is, and the kind decides how the gateway reads and prices
-- its usage:
--   chat        /v1/chat/completions  prompt/completion tokens; streams are asked for their usage
--   completion  /v1/completions       the same
--   embedding   /v1/embeddings        input tokens only; "data" holds vectors
--   image       /v1/images/...        each "data" entry is an image, plus tokens when reported
--   responses   /v1/responses         input/output tokens; a stream reports them in its terminal event
ALTER TABLE api_products
    ADD COLUMN kind text NOT NULL DEFAULT 'chat',
    ADD CONSTRAINT api_products_kind_check
        CHECK (kind IN ('chat', 'completion', 'embedding', 'image', 'responses'));

COMMENT ON COLUMN api_products.kind IS
    'How usage is read and priced: chat, completion, embedding, image or responses';

-- Existing products get the kind their endpoints imply, once, here; from now on it is stated.
UPDATE api_products SET kind = CASE
        WHEN EXISTS (SELECT 1 FROM unnest(endpoints) e WHERE e LIKE '%/images/%') THEN 'image'
        WHEN EXISTS (SELECT 1 FROM unnest(endpoints) e WHERE e LIKE '%/embeddings') THEN 'embedding'
        WHEN EXISTS (SELECT 1 FROM unnest(endpoints) e WHERE e LIKE '%/responses') THEN 'responses'
        WHEN EXISTS (SELECT 1 FROM unnest(endpoints) e WHERE e LIKE '%/completions'
                     AND e NOT LIKE '%/chat/completions') THEN 'completion'
        ELSE 'chat'
    END;
