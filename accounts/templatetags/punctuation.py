"""Punctuation between a translated label and a value: full-width in Chinese, ASCII in English.

``{% translate '孕情' %}{% colon %}{{ value }}`` reads 孕情：未孕 in Chinese and
"Pregnancy status: not pregnant" in English.
"""
from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def colon():
    return pgettext("punctuation", "：")


@register.simple_tag
def lparen():
    return pgettext("punctuation", "（")


@register.simple_tag
def rparen():
    return pgettext("punctuation", "）")


@register.simple_tag
def stop():
    return pgettext("punctuation", "。")
