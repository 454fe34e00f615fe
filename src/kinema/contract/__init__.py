"""The Kling wire contract: request/response models, validation rules, error codes.

One place for each fact.
"""
