"""The course's colours, for matplotlib figures (plotting.use_style) and for the playground's own SVG.

Okabe and Ito's palette: eight colours told apart under every common colour-vision deficiency.
Kept apart from plotting.py so that code drawing without matplotlib can use it without importing it.
"""
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
