package mmo.server.net;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransportChoiceTest {
    @Test
    void takesWhatIsAskedForIfTheMachineHasItElseTheBestItHas() {
        String best = Epoll.isAvailable() ? "epoll" : "nio";
        assertThat(NetServer.chooseTransport("auto")).isEqualTo(best);
        assertThat(NetServer.chooseTransport("nio")).isEqualTo("nio");
        assertThat(NetServer.chooseTransport("epoll")).isEqualTo(best);
        assertThat(NetServer.chooseTransport("io_uring")).isEqualTo(IoUring.isAvailable() ? "io_uring" : best);
        assertThatThrownBy(() -> NetServer.chooseTransport("carrier-pigeon")).hasMessageContaining("mmo.net.transport");
    }
}
