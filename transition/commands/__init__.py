"""Headless commands, one module per concept; ``transition.cli`` assembles them."""
