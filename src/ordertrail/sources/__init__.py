"""Edge in: everything that turns outside formats into use-case inputs."""
