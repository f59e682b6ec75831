// Notices as Web Push messages: to every device of every user whose settings take the notice's
// kind outside their quiet hours. A waiting prompt's first two options become the
// notification's actions, with a one-time answer token, for users who may type (admins).

import type { ActionTokens } from "../attention/action-tokens.ts";
import { type NoticeChannel, noticeText } from "../attention/notifier.ts";
import type { PushRepo, StoredSettings } from "../db/push-repo.ts";
import type { UsersRepo } from "../db/users-repo.ts";
import { inQuietHours, NOTIFY_ACTIVITIES, type PushPayload } from "../protocol/push.ts";
import type { PushSender } from "./sender.ts";

/** What a user without saved settings gets. */
export const DEFAULT_SETTINGS: StoredSettings = {
  activities: [...NOTIFY_ACTIVITIES],
  quietHours: null,
};

/** Options a notification shows as actions (browsers show two at most beside "Open"). */
const MAX_ACTIONS = 2;

export interface PushChannelOptions {
  repo: PushRepo;
  users: Pick<UsersRepo, "get">;
  sender: PushSender;
  tokens: ActionTokens;
  now?: () => number;
  onError: (error: unknown, context: string) => void;
}

export function createPushChannel(options: PushChannelOptions): NoticeChannel {
  const now = options.now ?? Date.now;
  return {
    async deliver(notice) {
      try {
        const subscriptions = await options.repo.list();
        const byUser = Map.groupBy(subscriptions, (subscription) => subscription.userId);
        const { title, body } = noticeText(notice);
        const session = notice.session;
        const prompt = notice.kind === "waiting" ? session.activity?.prompt : undefined;
        const answers = prompt?.options.slice(0, MAX_ACTIONS).map(({ label }) => label) ?? [];
        await Promise.all(
          [...byUser].map(async ([userId, devices]) => {
            const settings = (await options.repo.settings(userId)) ?? DEFAULT_SETTINGS;
            if (!settings.activities.includes(notice.kind)) return;
            if (inQuietHours(settings.quietHours, new Date(now()))) return;
            const user = await options.users.get(userId);
            if (!user) return;
            const token =
              prompt && answers.length > 0 && user.role === "admin"
                ? await options.tokens.mint({
                    userId,
                    sessionId: session.id,
                    fingerprint: prompt.fingerprint,
                    channel: "push",
                  })
                : null;
            const payload: PushPayload = {
              kind: notice.kind,
              sessionId: session.id,
              sessionName: session.name,
              title,
              body,
              options: token ? answers : [],
              token,
              url: `/s/${session.id}`,
            };
            await Promise.all(devices.map((device) => options.sender.send(device, payload)));
          }),
        );
      } catch (error) {
        options.onError(error, "sending push notifications");
      }
    },
  };
}
