// Items of the vendored contract that the server does not have yet, each under the issue that
// builds it. The contract test fails on any other gap, and on an entry here that is no longer a
// gap, so this list can only shrink as the features land.
export const PENDING_CONTRACT_ITEMS: Readonly<Record<string, readonly string[]>> = {
  'issue 19: administration, audit log, rate limits, Relay': [
    'RateLimit was removed.',
    'Membership.id was removed.',
    'Membership no longer implements interface Node.',
    'WorkflowState no longer implements interface Node.',
    'Label no longer implements interface Node.',
    'IssueLink no longer implements interface Node.',
    'IssueEvent no longer implements interface Node.',
    'Query.rateLimit was removed.',
    'WebhookDelivery no longer implements interface Node.',
  ],
  'issue 20: bulk changes, attachments, custom fields, notifications': [
    'Attachment was removed.',
    'AttachmentUpload was removed.',
    'Notification was removed.',
    'NotificationEdge was removed.',
    'NotificationConnection was removed.',
    'Issue.attachments was removed.',
    'Comment.mentions was removed.',
    'Query.notifications was removed.',
    'Mutation.createAttachmentUpload was removed.',
    'Mutation.completeAttachmentUpload was removed.',
    'Mutation.deleteAttachment was removed.',
    'Mutation.markNotificationsRead was removed.',
    'Subscription.notificationAdded was removed.',
  ],
};
