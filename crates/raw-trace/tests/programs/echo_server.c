/* The assignment's echo server in C, with read(2) and write(2): one client, then exit.
 * Built by the tests with `cc -o echo_server echo_server.c` (clean) and with
 * `-DSPIN_ON_EOF` (mistake: eof-ignored — the classic `if (n < 0)` that forgets that 0
 * means end of stream; bounded to 20 reads so the test ends).
 * Usage: ./echo_server PORT */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[1]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("bind");
        return 1;
    }
    listen(lfd, 16);
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int fd = accept(lfd, (struct sockaddr *)&peer, &len);
    if (fd < 0) {
        perror("accept");
        return 1;
    }
    char buf[1024];
    for (int reads = 0;; reads++) {
        ssize_t n = read(fd, buf, sizeof buf);
#ifdef SPIN_ON_EOF
        if (n < 0 || reads >= 20)
            break;
#else
        if (n <= 0)
            break;
#endif
        for (ssize_t i = 0; i < n; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        write(fd, buf, (size_t)n);
    }
    close(fd);
    close(lfd);
    return 0;
}
