-- Documents: collaborative documents made of blocks, shared with collaborators, e-signed by
-- signers, tagged, with a history of every change; and the entities they are about (land plots,
-- vehicles, contacts).
--
-- Context: a document lives in a chat or in a topic (a topic is a chat of type 'topic', so chat_id
-- holds either) or stands alone. is_standalone is derived from chat_id, so a document always has
-- exactly one context, whatever writes it. Deleting a chat deletes its topics; the documents
-- of both stay, as standalone documents of their owners (chat_id set null): a signed agreement
-- outlives the conversation it was drawn up in.
CREATE TABLE documents (
    id                 uuid         PRIMARY KEY,
    title              varchar(200) NOT NULL,
    -- An emoji (a sequence of up to 50 code points) or a short name the host maps to an icon.
    icon               varchar(50)  NOT NULL DEFAULT '📄',
    -- A colour or gradient name, or an image URL.
    cover              varchar(500) NULL,
    -- A document belongs to its owner: it goes with the owner's account.
    owner_id           uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    chat_id            uuid         NULL REFERENCES chats (id) ON DELETE SET NULL,
    is_standalone      boolean      GENERATED ALWAYS AS (chat_id IS NULL) STORED,
    require_signatures boolean      NOT NULL DEFAULT false,
    -- A locked document, its blocks, tags, signers, collaborators and entity links do not change:
    -- every write of the library checks this in the statement that writes.
    locked_at          timestamptz  NULL,
    lock_reason        text         NULL,
    created_at         timestamptz  NOT NULL DEFAULT now(),
    -- When the document or anything under it last changed.
    updated_at         timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT documents_title_check CHECK (btrim(title) <> ''),
    CONSTRAINT documents_icon_check CHECK (btrim(icon) <> ''),
    CONSTRAINT documents_lock_reason_check CHECK (
        (lock_reason IS NULL AND locked_at IS NULL) OR (lock_reason IN ('manual', 'signatures') AND locked_at IS NOT NULL))
);

-- Lists are newest first by id (UUID v7): a chat's (or topic's) documents, an owner's documents.
CREATE INDEX documents_chat_idx ON documents (chat_id, id DESC) WHERE chat_id IS NOT NULL;
CREATE INDEX documents_owner_idx ON documents (owner_id, id DESC);

CREATE TABLE document_collaborators (
    document_id uuid        NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        text        NOT NULL DEFAULT 'editor',
    added_at    timestamptz NOT NULL DEFAULT now(),

    PRIMARY KEY (document_id, user_id),
    CONSTRAINT document_collaborators_role_check CHECK (role IN ('editor', 'viewer'))
);

CREATE INDEX document_collaborators_user_idx ON document_collaborators (user_id);

-- Every signer of a document is required: when the last one signs a document that requires
-- signatures, the same transaction locks it with reason 'signatures'.
CREATE TABLE document_signers (
    document_id uuid         NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    user_id     uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    signed_at   timestamptz  NULL,
    -- The name the signer typed when signing.
    signer_name varchar(100) NULL,
    added_at    timestamptz  NOT NULL DEFAULT now(),

    PRIMARY KEY (document_id, user_id),
    CONSTRAINT document_signers_signer_name_check CHECK ((signed_at IS NULL) = (signer_name IS NULL) AND btrim(signer_name) <> '')
);

CREATE INDEX document_signers_user_idx ON document_signers (user_id);

CREATE TABLE document_tags (
    document_id uuid         NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    tag         varchar(100) NOT NULL,
    added_at    timestamptz  NOT NULL DEFAULT now(),

    PRIMARY KEY (document_id, tag),
    CONSTRAINT document_tags_tag_check CHECK (btrim(tag) <> '')
);

-- A tag's documents, newest first.
CREATE INDEX document_tags_tag_idx ON document_tags (tag, document_id DESC);

-- Block types are stored in snake_case like every enum of the schema ('bullet_list'). A block's
-- children (a toggle's, a list item's) point at it; siblings are ordered by sort_order, then id.
-- The fields a type does not use stay null.
CREATE TABLE document_blocks (
    id              uuid        PRIMARY KEY,
    document_id     uuid        NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    parent_block_id uuid        NULL,
    type            text        NOT NULL,
    content         text        NULL,
    checked         boolean     NULL,
    rows            jsonb       NULL,
    columns         jsonb       NULL,
    language        varchar(30) NULL,
    emoji           varchar(50) NULL,
    color           varchar(20) NULL,
    sort_order      integer     NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT document_blocks_document_id_id_key UNIQUE (document_id, id),
    -- The parent is a block of the same document; deleting it deletes its children.
    CONSTRAINT document_blocks_parent_block_id_fkey FOREIGN KEY (document_id, parent_block_id)
        REFERENCES document_blocks (document_id, id) ON DELETE CASCADE,
    CONSTRAINT document_blocks_parent_block_id_check CHECK (parent_block_id <> id),
    CONSTRAINT document_blocks_type_check CHECK (type IN (
        'paragraph', 'heading1', 'heading2', 'heading3', 'bullet_list', 'numbered_list', 'checklist',
        'table', 'callout', 'code', 'toggle', 'divider', 'quote')),
    CONSTRAINT document_blocks_content_check CHECK (char_length(content) <= 100000),
    CONSTRAINT document_blocks_checked_check CHECK (checked IS NULL OR type = 'checklist'),
    CONSTRAINT document_blocks_rows_check CHECK (rows IS NULL OR (type = 'table' AND jsonb_typeof(rows) = 'array')),
    CONSTRAINT document_blocks_columns_check CHECK (columns IS NULL OR (type = 'table' AND jsonb_typeof(columns) = 'array')),
    CONSTRAINT document_blocks_language_check CHECK (language IS NULL OR type = 'code'),
    CONSTRAINT document_blocks_emoji_check CHECK (emoji IS NULL OR type = 'callout'),
    CONSTRAINT document_blocks_sort_order_check CHECK (sort_order >= 0)
);

-- One level of a document's tree in order; also serves the parent foreign key's cascade.
CREATE INDEX document_blocks_level_idx ON document_blocks (document_id, parent_block_id, sort_order);

-- Appended in the transaction of every change the library makes, and by hosts. Keyed by id, in
-- the order rows were written; read newest first.
CREATE TABLE document_history (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id uuid        NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    -- Who did it; null for the host's own system entries and once that user is deleted.
    user_id     uuid        NULL REFERENCES users (id) ON DELETE SET NULL,
    action      varchar(50) NOT NULL,
    details     jsonb       NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT document_history_action_check CHECK (btrim(action) <> ''),
    CONSTRAINT document_history_details_check CHECK (jsonb_typeof(details) = 'object')
);

CREATE INDEX document_history_document_idx ON document_history (document_id, id DESC);
CREATE INDEX document_history_user_idx ON document_history (user_id) WHERE user_id IS NOT NULL;

-- Things documents are about, free-form (a name and a type of the user's choosing), kept per user
-- and usable in any document; a contact entity points at a user.
CREATE TABLE entities (
    id              uuid         PRIMARY KEY,
    name            varchar(100) NOT NULL,
    type            varchar(50)  NULL,
    owner_id        uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_user_id uuid         NULL REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT entities_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT entities_type_check CHECK (btrim(type) <> '')
);

-- An owner's entities by name (case-insensitive), and name search: substring matches through
-- trigrams (ILIKE '%q%' uses it), in any script.
CREATE INDEX entities_owner_name_idx ON entities (owner_id, lower(name), id);
CREATE INDEX entities_name_trgm_idx ON entities USING gin (name gin_trgm_ops);
CREATE INDEX entities_contact_user_idx ON entities (contact_user_id) WHERE contact_user_id IS NOT NULL;

CREATE TABLE document_entities (
    document_id uuid        NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    entity_id   uuid        NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    linked_at   timestamptz NOT NULL DEFAULT now(),

    PRIMARY KEY (document_id, entity_id)
);

-- An entity's documents, newest first.
CREATE INDEX document_entities_entity_idx ON document_entities (entity_id, document_id DESC);
