"""Background jobs of the health app (autodiscovered by CoreConfig.ready)."""
