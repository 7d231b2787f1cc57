"""What many units say: their narratives split into sentences, grouped by theme, with addressees."""
