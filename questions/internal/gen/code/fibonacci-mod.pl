use strict;
use warnings;

use constant MOD => 1_000_000_007;

my @data = split ' ', do { local $/; <STDIN> };
my $t = $data[0];
my @out;
for my $n (@data[1 .. $t]) {
    # TODO: compute F($n) modulo MOD in O(log n) steps, reducing every product
    # modulo MOD.
    my $answer = 0;
    push @out, $answer;
}
print join("\n", @out), "\n";
