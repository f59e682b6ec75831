// What a viewer sees on an admin page opened by its address: why it is closed, and who they are.
import { useStores } from "../stores.ts";

export function AdminOnly({ what }: { what: string }) {
  const { auth } = useStores();
  const user = auth.user.value;
  return (
    <main class="page admin">
      <div class="card notice-card" role="alert">
        <h2>Admins only</h2>
        <p>
          Only an admin can {what}. You are signed in as <strong>{user?.username}</strong>, a viewer
          (403 forbidden).
        </p>
      </div>
    </main>
  );
}
