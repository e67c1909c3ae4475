package io.vtp.app.auth;

/**
 * What {@link AuthService} tells the rest of the app when sessions end, so that connections authenticated by
 * them (WebSockets) end too. Implementations must not throw and must not block for long.
 */
public interface SessionEvents {
  /** Does nothing. */
  SessionEvents NONE = new SessionEvents() {
    @Override
    public void sessionEnded(String token) {}

    @Override
    public void userSessionsEnded(long userId) {}
  };

  /**
   * One session ended: logout, or rotation (a login presenting the old session).
   *
   * @param token the session id that stopped working
   */
  void sessionEnded(String token);

  /**
   * Every session of a user ended: logout everywhere, or a role change.
   *
   * @param userId the user
   */
  void userSessionsEnded(long userId);
}
