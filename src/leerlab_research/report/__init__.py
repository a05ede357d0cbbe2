"""Report stage: render the Quarto templates with quarto or the fallback engine."""
