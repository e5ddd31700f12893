package mmo.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mmo.protocol.ClientMessage;
import mmo.protocol.DisconnectReason;
import mmo.protocol.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResumingClientTest {
    private final FakeServer first;
    private final FakeServer second;
    private ResumingClient client;

    ResumingClientTest() throws InterruptedException {
        first = new FakeServer();
        second = new FakeServer();
    }

    @AfterEach
    void stop() {
        if (client != null) client.close();
        first.close();
        second.close();
    }

    private ResumingClient start() throws Exception {
        client = ResumingClient.start(List.of(first.uri(), second.uri()), ClientOptions.defaults(),
                FakeServer.ALIA.getId(), Duration.ofSeconds(10),
                c -> c.login(FakeServer.USER, FakeServer.PASSWORD)).get(5, TimeUnit.SECONDS);
        return client;
    }

    @Test
    void aDroppedConnectionIsResumedOnTheNextServerWithoutLoggingInAgain() throws Exception {
        ResumingClient rc = start();
        FakeServer.Session s1 = first.nextSession();
        assertThat(s1.take(ClientMessage::hasLogin).getLogin().getUsername()).isEqualTo(FakeServer.USER);
        MmoClient before = rc.client();

        s1.channel.pipeline().firstContext().close(); // no close frame: as when the server's process dies
        MmoClient after = rc.nextReconnect().get(5, TimeUnit.SECONDS);

        FakeServer.Session s2 = second.nextSession();
        assertThat(s2.take().hasHello()).isTrue();
        ClientMessage resume = s2.take();
        assertThat(resume.hasResume()).as("resumes, no login: " + resume).isTrue();
        assertThat(resume.getResume().getToken()).isEqualTo(FakeServer.TOKEN);
        assertThat(s2.take().getEnterWorld().getCharacterId()).isEqualTo(FakeServer.ALIA.getId());
        assertThat(after).isNotSameAs(before).isSameAs(rc.client());
        assertThat(rc.reconnects()).isEqualTo(1);
        assertThat(rc.entered().getEntityId()).isEqualTo(FakeServer.OWN_ENTITY);
        assertThat(rc.ended()).isNotDone();
    }

    @Test
    void aServerShuttingDownIsResumedToo() throws Exception {
        ResumingClient rc = start();
        first.nextSession().disconnect(DisconnectReason.SERVER_SHUTDOWN, "bye for now");
        rc.nextReconnect().get(5, TimeUnit.SECONDS);
        assertThat(rc.reconnects()).isEqualTo(1);
    }

    @Test
    void beingSentAwayIsObeyed() throws Exception {
        ResumingClient rc = start();
        first.nextSession().disconnect(DisconnectReason.LOGGED_IN_ELSEWHERE, "You logged in from another place");
        CloseInfo info = rc.ended().get(5, TimeUnit.SECONDS);
        assertThat(info.disconnect().getReason()).isEqualTo(DisconnectReason.LOGGED_IN_ELSEWHERE);
        assertThat(rc.reconnects()).isZero();
        assertThat(rc.nextReconnect()).isNotDone();
    }

    @Test
    void anExpiredSessionEndsTheRetries() throws Exception {
        ResumingClient rc = start();
        second.autoReply = false;
        first.nextSession().channel.pipeline().firstContext().close();
        FakeServer.Session s2 = second.nextSession();
        ClientMessage resume = s2.take(ClientMessage::hasResume);
        s2.error(resume.getRid(), ErrorCode.SESSION_EXPIRED, "log in again");
        try {
            rc.ended().get(5, TimeUnit.SECONDS);
            throw new AssertionError("ended normally");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ServerError.class);
            assertThat(((ServerError) e.getCause()).code()).isEqualTo(ErrorCode.SESSION_EXPIRED);
        }
        assertThat(rc.reconnects()).isZero();
    }

    @Test
    void whenNoServerAnswersItGivesUpAfterTheDeadline() throws Exception {
        client = ResumingClient.start(List.of(first.uri(), second.uri()), ClientOptions.defaults(),
                FakeServer.ALIA.getId(), Duration.ofMillis(300),
                c -> c.login(FakeServer.USER, FakeServer.PASSWORD)).get(5, TimeUnit.SECONDS);
        second.close();
        FakeServer.Session s1 = first.nextSession();
        s1.channel.pipeline().firstContext().close().syncUninterruptibly(); // the first retry goes to the second: refused
        first.close();                                                     // and the next ones find nobody either
        try {
            client.ended().get(10, TimeUnit.SECONDS);
            throw new AssertionError("ended normally");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ConnectionClosedException.class);
        }
    }
}
