"""The Excel template each unit fills: its layout (the one place coordinates live) and its builder."""
