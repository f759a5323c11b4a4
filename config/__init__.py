"""The project package: settings, root URLs, the WSGI/ASGI entry points and the servers'
configuration. The apps beside it hold the product; nothing in them imports from here except
through ``django.conf.settings`` (and the visitor's address, ``config.proxies``).
"""
