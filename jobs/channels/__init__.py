"""Channels: where a scope's weekly digest goes besides Telegram users (product.md §6).

A group robot (企业微信, 钉钉 or 飞书 custom webhook bot) attached to a scope is a recipient like a
Telegram user. The digest for a scope is built once (`content`, group rules of §2: aggregates only)
and rendered per platform (`platforms`); `sender` speaks HTTP under each robot's rate limit;
`service` administers robots; `delivery` sends each (channel, slot) exactly once.
"""
