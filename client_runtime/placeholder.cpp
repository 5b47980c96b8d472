// Replaced by the runtime in the next commit.
