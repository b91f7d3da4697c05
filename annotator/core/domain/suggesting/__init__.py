"""Machine suggestions: engines that propose statement frames, and what a frame is."""
