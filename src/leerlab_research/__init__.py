"""leerlab-research: research pipeline for the Sterk Beroepsonderwijs leerlab reflection instrument."""

__version__ = "0.1.0"
