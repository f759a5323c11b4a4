from django.dispatch import Signal

# Sent by ``manage.py run_worker`` in the process that runs tasks, before it takes the first
# one: apps queue the work that keeps itself going (the daily link check). A receiver may
# return a line for the worker's log, or None.
worker_starting = Signal()
