-- Search in one chat either finds the words' messages in every chat through the GIN indexes and keeps
-- the chat's, or reads the chat's messages; the planner picks by how many messages it expects the
-- words to match. With the default statistics a word in fewer than about 1 message in 2,000 is not
-- counted and is guessed from the least common word that is, which in a small vocabulary is common:
-- in a 2,000,000-message group it then also read the whole chat's (chat_id, seq) index for a word in
-- 2,000 messages. A larger sample counts words down to about 1 message in 20,000.
ALTER TABLE messages ALTER COLUMN search_vector SET STATISTICS 1000;
ANALYZE messages (search_vector);
