"""The campaign figures on a directive task's page, through a template tag so the
directives app neither imports vaccination nor needs a migration for the link."""

from django import template

register = template.Library()


@register.simple_tag
def campaign_for_task(task, user):
    """The figures of the campaign tracking `task` (as `user` may see them), or None."""
    from phongdich.vaccination import campaigns
    from phongdich.vaccination.models import CampaignTaskLink

    link = CampaignTaskLink.objects.filter(task=task).select_related("campaign__province").first()
    if link is None:
        return None
    if not campaigns.campaigns_visible_to(user).filter(pk=link.campaign_id).exists():
        return None
    return campaigns.figures(link.campaign, user)
