"""liaison-desk (联络员协同助手): composition root, CLI, texts, and the pure rules."""
