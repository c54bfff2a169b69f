-- V1: the portal schema described in schema-analysis.md, plus the tables it only references
-- (users, user_subscriptions, feature_flags).
--
-- Conventions:
--   * ids are uuid DEFAULT gen_random_uuid() (built in since PostgreSQL 13);
--   * every "timestamp" of the document is timestamptz, audit columns default to now();
--   * money is numeric with a fixed scale: per-request costs and prices numeric(20,8), invoice
--     amounts numeric(14,2);
--   * "ARRAY" columns are text[]; allowed_ips holds addresses or CIDR ranges as text, validated by
--     the admin API (inet[] would reject nothing the API does not already reject, and text keeps
--     the portal's existing values readable);
--   * enumerations are CHECK constraints, named <table>_<column>_check.
--
-- Integer columns widened to bigint because they are cumulative and can realistically pass 2^31:
--   api_keys.total_requests (the document lists it as integer; an internal key at 1,000 req/s
--   overflows integer in 25 days).
--
-- Uniqueness beyond the document: ai_models.name (the public API addresses a model by name, so a
-- name must resolve to exactly one row), cohort_analysis (cohort_date, cohort_type).
--
-- Deletion policy: rows that money or audit depend on are never removed by a cascade (usage logs,
-- invoices, revocation history keep their key and user); content rows cascade or lose their link.

-- Regular users of the portal. Referenced by api_keys, chats, blog_posts, invoices, funnel rows.
CREATE TABLE users (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text        NOT NULL,
    password_hash text,
    full_name     text,
    is_active     boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_check CHECK (position('@' IN email) > 1)
);

-- Administrative accounts: they manage users, keys, products and models.
CREATE TABLE a_users (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    username      text        NOT NULL,
    password_hash text        NOT NULL,
    full_name     text,
    email         text,
    role          text        NOT NULL DEFAULT 'admin',
    is_active     boolean     NOT NULL DEFAULT true,
    last_login    timestamptz,
    last_login_ip inet,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT a_users_username_key UNIQUE (username),
    CONSTRAINT a_users_email_key UNIQUE (email),
    CONSTRAINT a_users_role_check CHECK (role IN ('admin', 'super_admin'))
);

-- Models the API serves. pricing holds input/output prices per 1k tokens and a price per image.
CREATE TABLE ai_models (
    id                    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name                  text        NOT NULL,
    version               text,
    type                  text        NOT NULL DEFAULT 'text',
    capabilities          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    pricing               jsonb       NOT NULL DEFAULT '{}'::jsonb,
    is_active             boolean     NOT NULL DEFAULT true,
    requires_subscription boolean     NOT NULL DEFAULT false,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ai_models_name_key UNIQUE (name),
    CONSTRAINT ai_models_type_check CHECK (type IN ('text', 'multimodal'))
);

CREATE TABLE chats (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title             text,
    model_type        text        NOT NULL DEFAULT 'dalsi-ai',
    is_shared         boolean     NOT NULL DEFAULT false,
    share_token       text,
    selected_model_id uuid        REFERENCES ai_models (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chats_share_token_key UNIQUE (share_token),
    CONSTRAINT chats_model_type_check CHECK (model_type IN ('dalsi-ai', 'dalsi-aivi'))
);
CREATE INDEX chats_user_id_idx ON chats (user_id);

-- API keys. Only the SHA-256 hex of a key is stored; key_prefix (first 12 characters) is for display.
CREATE TABLE api_keys (
    id                    uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id               uuid          NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    key_hash              text          NOT NULL,
    key_prefix            text          NOT NULL,
    name                  text          NOT NULL,
    is_active             boolean       NOT NULL DEFAULT true,
    scopes                jsonb         NOT NULL DEFAULT '[]'::jsonb,
    rate_limit_per_minute integer       NOT NULL DEFAULT 60,
    rate_limit_per_hour   integer       NOT NULL DEFAULT 1000,
    rate_limit_per_day    integer       NOT NULL DEFAULT 10000,
    total_requests        bigint        NOT NULL DEFAULT 0,
    total_tokens_used     bigint        NOT NULL DEFAULT 0,
    total_cost_usd        numeric(20,8) NOT NULL DEFAULT 0,
    last_used_at          timestamptz,
    last_used_ip          inet,
    last_used_endpoint    text,
    subscription_tier     text          NOT NULL DEFAULT 'free',
    expires_at            timestamptz,
    allowed_ips           text[],
    environment           text          NOT NULL DEFAULT 'production',
    webhook_url           text,
    is_internal           boolean       NOT NULL DEFAULT false,
    revoked_at            timestamptz,
    revoked_by            uuid          REFERENCES a_users (id) ON DELETE SET NULL,
    revoke_reason         text,
    created_at            timestamptz   NOT NULL DEFAULT now(),
    updated_at            timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
    CONSTRAINT api_keys_key_hash_check CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT api_keys_scopes_check CHECK (jsonb_typeof(scopes) = 'array'),
    CONSTRAINT api_keys_subscription_tier_check CHECK (subscription_tier IN ('free', 'pro', 'enterprise')),
    CONSTRAINT api_keys_environment_check CHECK (environment IN ('production', 'development')),
    CONSTRAINT api_keys_rate_limits_check CHECK (
        rate_limit_per_minute > 0 AND rate_limit_per_hour > 0 AND rate_limit_per_day > 0)
);
CREATE INDEX api_keys_user_id_idx ON api_keys (user_id);

CREATE TABLE api_key_revocations (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    api_key_id    uuid        NOT NULL REFERENCES api_keys (id) ON DELETE RESTRICT,
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    revoked_by    uuid        REFERENCES a_users (id) ON DELETE SET NULL,
    revoke_reason text,
    revoke_type   text        NOT NULL DEFAULT 'manual',
    ip_address    inet,
    user_agent    text,
    revoked_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT api_key_revocations_revoke_type_check CHECK (revoke_type IN ('manual', 'automatic'))
);
CREATE INDEX api_key_revocations_api_key_id_idx ON api_key_revocations (api_key_id);

-- Products: which endpoints belong to which product, and what a key needs to call them.
CREATE TABLE api_products (
    id                         uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    name                       text          NOT NULL,
    display_name               text,
    description                text,
    category                   text,
    base_price_usd             numeric(20,8) NOT NULL DEFAULT 0,
    price_per_1k_tokens        numeric(20,8) NOT NULL DEFAULT 0,
    max_tokens_per_request     integer       NOT NULL DEFAULT 2048,
    endpoints                  text[]        NOT NULL DEFAULT '{}',
    required_scopes            text[]        NOT NULL DEFAULT '{}',
    required_subscription_tier text          NOT NULL DEFAULT 'free',
    is_active                  boolean       NOT NULL DEFAULT true,
    is_public                  boolean       NOT NULL DEFAULT true,
    created_at                 timestamptz   NOT NULL DEFAULT now(),
    updated_at                 timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT api_products_name_key UNIQUE (name),
    CONSTRAINT api_products_required_subscription_tier_check
        CHECK (required_subscription_tier IN ('free', 'pro', 'enterprise')),
    CONSTRAINT api_products_max_tokens_per_request_check CHECK (max_tokens_per_request > 0),
    CONSTRAINT api_products_prices_check CHECK (base_price_usd >= 0 AND price_per_1k_tokens >= 0)
);

CREATE TABLE user_subscriptions (
    id                   uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id              uuid          NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    tier                 text          NOT NULL,
    status               text          NOT NULL DEFAULT 'active',
    current_period_start timestamptz   NOT NULL,
    current_period_end   timestamptz   NOT NULL,
    price_usd            numeric(14,2) NOT NULL DEFAULT 0,
    currency             text          NOT NULL DEFAULT 'USD',
    cancel_at_period_end boolean       NOT NULL DEFAULT false,
    cancelled_at         timestamptz,
    created_at           timestamptz   NOT NULL DEFAULT now(),
    updated_at           timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT user_subscriptions_tier_check CHECK (tier IN ('free', 'pro', 'enterprise')),
    CONSTRAINT user_subscriptions_status_check
        CHECK (status IN ('active', 'trialing', 'past_due', 'cancelled', 'expired')),
    CONSTRAINT user_subscriptions_period_check CHECK (current_period_end > current_period_start)
);
CREATE INDEX user_subscriptions_user_id_idx ON user_subscriptions (user_id);

CREATE TABLE billing_invoices (
    id                uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           uuid          NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    subscription_id   uuid          REFERENCES user_subscriptions (id) ON DELETE RESTRICT,
    invoice_number    text          NOT NULL,
    amount            numeric(14,2) NOT NULL,
    tax_amount        numeric(14,2) NOT NULL DEFAULT 0,
    total_amount      numeric(14,2) NOT NULL,
    currency          text          NOT NULL DEFAULT 'USD',
    status            text          NOT NULL DEFAULT 'pending',
    due_date          timestamptz,
    paid_at           timestamptz,
    payment_method    text,
    payment_reference text,
    amount_paid       numeric(14,2),
    pdf_url           text,
    created_at        timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT billing_invoices_invoice_number_key UNIQUE (invoice_number),
    CONSTRAINT billing_invoices_status_check CHECK (status IN ('pending', 'paid', 'failed', 'refunded')),
    CONSTRAINT billing_invoices_amounts_check CHECK (total_amount = amount + tax_amount)
);
CREATE INDEX billing_invoices_user_id_idx ON billing_invoices (user_id);

CREATE TABLE blog_posts (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    title           text        NOT NULL,
    slug            text        NOT NULL,
    content         text,
    excerpt         text,
    featured_image  text,
    author_id       uuid        REFERENCES users (id) ON DELETE SET NULL,
    status          text        NOT NULL DEFAULT 'draft',
    published_at    timestamptz,
    seo_title       text,
    seo_description text,
    tags            text[]      NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT blog_posts_slug_key UNIQUE (slug),
    CONSTRAINT blog_posts_status_check CHECK (status IN ('draft', 'published', 'archived'))
);

CREATE TABLE faqs (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    question     text        NOT NULL,
    answer       text        NOT NULL,
    category     text,
    order_index  integer     NOT NULL DEFAULT 0,
    is_published boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contact_submissions (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text        NOT NULL,
    email       text        NOT NULL,
    company     text,
    phone       text,
    subject     text,
    message     text        NOT NULL,
    type        text        NOT NULL DEFAULT 'general',
    status      text        NOT NULL DEFAULT 'new',
    assigned_to uuid        REFERENCES a_users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT contact_submissions_type_check CHECK (type IN ('general', 'sales', 'support', 'partnership')),
    CONSTRAINT contact_submissions_status_check CHECK (status IN ('new', 'in_progress', 'resolved', 'closed'))
);

CREATE TABLE email_campaigns (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text        NOT NULL,
    subject         text        NOT NULL,
    content         text,
    template_id     text,
    status          text        NOT NULL DEFAULT 'draft',
    scheduled_at    timestamptz,
    sent_at         timestamptz,
    recipient_count integer     NOT NULL DEFAULT 0,
    open_count      integer     NOT NULL DEFAULT 0,
    click_count     integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT email_campaigns_status_check CHECK (status IN ('draft', 'scheduled', 'sent', 'cancelled'))
);

CREATE TABLE conversion_funnel_detailed (
    id                              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                         uuid        REFERENCES users (id) ON DELETE SET NULL,
    step_name                       text        NOT NULL,
    step_order                      integer     NOT NULL,
    completed_at                    timestamptz NOT NULL DEFAULT now(),
    time_from_previous_step_seconds integer,
    session_id                      text,
    ip_address                      inet,
    user_agent                      text,
    referral_code                   text,
    metadata                        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at                      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conversion_funnel_detailed_step_name_check CHECK (step_name IN (
        'guest_created', 'first_message_sent', 'friction_shown', 'friction_dismissed',
        'sign_in_clicked', 'account_created', 'first_paid_message', 'subscription_purchased'))
);
CREATE INDEX conversion_funnel_detailed_user_id_idx ON conversion_funnel_detailed (user_id);

CREATE TABLE cohort_analysis (
    id                             uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    cohort_date                    date          NOT NULL,
    cohort_type                    text          NOT NULL,
    cohort_size                    integer       NOT NULL DEFAULT 0,
    conversion_count               integer       NOT NULL DEFAULT 0,
    conversion_rate                numeric(7,4),
    avg_days_to_conversion         numeric(10,2),
    avg_messages_before_conversion numeric(10,2),
    conversion_by_source           jsonb         NOT NULL DEFAULT '{}'::jsonb,
    conversion_by_tier             jsonb         NOT NULL DEFAULT '{}'::jsonb,
    revenue_generated              numeric(14,2) NOT NULL DEFAULT 0,
    metadata                       jsonb         NOT NULL DEFAULT '{}'::jsonb,
    created_at                     timestamptz   NOT NULL DEFAULT now(),
    updated_at                     timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT cohort_analysis_cohort_key UNIQUE (cohort_date, cohort_type),
    CONSTRAINT cohort_analysis_cohort_type_check CHECK (cohort_type IN ('daily', 'weekly', 'monthly'))
);

CREATE TABLE feature_flags (
    id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name               text        NOT NULL,
    description        text,
    is_enabled         boolean     NOT NULL DEFAULT false,
    rollout_percentage integer     NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT feature_flags_name_key UNIQUE (name),
    CONSTRAINT feature_flags_rollout_percentage_check CHECK (rollout_percentage BETWEEN 0 AND 100)
);
