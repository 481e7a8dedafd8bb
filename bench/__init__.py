"""`python -m bench`: measures the site's speed and weight goals and prints one table (see README, Performance)."""
