"""Pure Plotly figure builders: arrays in, ``go.Figure`` out. No model values are computed here."""
