package mmo.server.account;

import java.util.List;
import mmo.server.persistence.AccountRecord;
import mmo.server.persistence.CharacterRecord;

/**
 * A successful register, login or resume: the account, its session token (send it to the client
 * only) and its characters oldest first. Immutable, any thread.
 */
public record LoginResult(AccountRecord account, String token, List<CharacterRecord> characters) {
    public LoginResult {
        characters = List.copyOf(characters);
    }

    @Override
    public String toString() {
        return "LoginResult[account=" + account + ", characters=" + characters.size() + "]";
    }
}
