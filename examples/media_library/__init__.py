"""A media library: books, authors and users, JWT login, roles, actions and selections."""
