"""The app's screens: one module per screen; each calls domain functions, never SQL."""
