"""One backo serving another: a shop whose products are stored by a warehouse backo, over HTTP."""
