-- Global messages (Quay's `messages`): notices a superuser posts for every user to see.
CREATE TABLE messages (
    uuid TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    severity TEXT NOT NULL,
    media_type TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX messages_created ON messages (created_ms);
