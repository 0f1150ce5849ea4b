"""The review page's tabs: findings, what-if and goal seek, what the data say."""
