"""Background jobs of the supplies app (autodiscovered by CoreConfig.ready)."""
