"""A declarative form engine: forms are lists of typed fields, one engine runs them all."""
