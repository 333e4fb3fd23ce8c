-- Emoji reactions (seeds 003 and 004): one row per message, user and emoji. Whether a user may keep
-- several emoji on one message is the host's option (ChatDataOptions.OneReactionPerUser), enforced
-- by the library. chat_id is the message's, copied so the table can be distributed by chat like
-- every hot table; deleting the message, or its chat, deletes its reactions through message_id.
CREATE TABLE message_reactions (
    message_id uuid        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    chat_id    uuid        NOT NULL,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- One emoji (the longest is 15 UTF-16 units) or a short name such as 'like' or ':thumbsup:'.
    emoji      varchar(64) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),

    PRIMARY KEY (message_id, user_id, emoji),
    CONSTRAINT message_reactions_emoji_check CHECK (emoji ~ '^[^[:space:][:cntrl:]]+$')
);

-- Summaries of a page of messages, and who reacted with an emoji, in the order they reacted.
CREATE INDEX message_reactions_emoji_idx ON message_reactions (message_id, emoji, created_at, user_id);
-- Deleting a user deletes their reactions.
CREATE INDEX message_reactions_user_idx ON message_reactions (user_id);
