"""{% challenge_card c %}: a challenge's card, memoised by its content (see challenges/cards.py)."""

from django import template

from ..cards import card_html

register = template.Library()


@register.simple_tag
def challenge_card(challenge):
    return card_html(challenge)
